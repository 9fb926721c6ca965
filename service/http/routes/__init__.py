"""One router per resource: campaigns, proposals, measurements, simulations, jobs, published sets, health."""
