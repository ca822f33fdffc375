"""Qabilet gateway: the suite's only public door (API under /api/v1, docs, web pages)."""
