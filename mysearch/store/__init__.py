"""Derived stores: Chroma vectors (embedded or a server). The keyword index lives in the catalog."""
