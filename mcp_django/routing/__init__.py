"""Cross-worker delivery on the Channels layer: answers, cancellations, worker liveness."""
