"""A Wix sandbox (app label `wix_sandbox`): Wix's REST paths, shapes, tokens, key checks and error shapes, answered
by the local engine as a second client of the bookings port. Installed and routed under /_sandbox/wix/ only when
WIX_SANDBOX is on, which settings refuse with DEBUG off. With BOOKINGS_BACKEND=wix the whole site then runs
against it with no Wix account and no network.
"""
