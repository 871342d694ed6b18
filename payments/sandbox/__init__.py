"""A stand-in for the few Stripe endpoints this site calls, and for Stripe's hosted checkout page, served by the app
itself under /_sandbox/stripe/ when no STRIPE_SECRET_KEY is set (development and tests; a system check refuses it in
production). stripe-python is pointed at it with its base-address setting, so the site runs its real Stripe code:
session creation, redirect, signed webhooks, retrieval, refunds. See docs/payments.md.
"""
