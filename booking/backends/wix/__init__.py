"""The wix backend: the bookings port over Wix's REST APIs (wix-api.md), through one client (client.py).

Also a small Django app (label `wix_backend`) for the one table it keeps: the submission keys it has claimed, so a
submitted form creates one Wix booking however many times it arrives.
"""
