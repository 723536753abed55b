"""Local answer models: the catalog, downloads, the llama.cpp runtime, prompts and citation checks."""
