"""The matcher's HTTP layer: views and schemas."""
