"""CGM analytics engine: canonical frame, readers, consensus metrics, episodes, indices, AGP."""
