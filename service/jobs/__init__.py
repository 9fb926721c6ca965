"""Jobs: created, published on the queue, claimed by one attempt, kept alive, finished once, reconciled."""
