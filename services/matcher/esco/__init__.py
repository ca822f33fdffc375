"""The ESCO taxonomy: the release read, imported into the store, held in memory."""
