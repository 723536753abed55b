"""From files on disk to searchable chunks: scan, diff, extract, chunk, embed, write."""
