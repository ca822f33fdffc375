"""The ministry's retraining reports: funnel, outcomes by group, providers (no personal data)."""
