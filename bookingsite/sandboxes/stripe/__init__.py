"""A stand-in for the few Stripe endpoints this site calls, and for Stripe's hosted checkout page, served by the site
itself under /_sandbox/stripe/ when STRIPE_SANDBOX is on (development and tests; a system check refuses it with DEBUG
off, and without the setting the app is neither installed nor routed). stripe-python is pointed at it with its
base-address setting, so the site runs its real Stripe code: session creation, redirect, signed webhooks, retrieval,
refunds. See docs/payments.md.

It knows the payments app the way Stripe's dashboard would: the webhook address and the development key and secret
(payments.stripe_api); payments never imports it.
"""
