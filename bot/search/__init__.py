"""Search over the chunks: lexical (BM25), dense (FAISS) and their fusion."""
