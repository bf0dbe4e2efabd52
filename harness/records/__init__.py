"""Run records and manifests: typed, versioned, written case by case."""
