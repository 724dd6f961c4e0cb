# Tokenizers (SentencePiece BPE, byte-level BPE) and the GGUF vocabulary loader.
list(APPEND LG_ENGINE_SOURCES
    tokenizer/tokenizer.cpp
    tokenizer/vocab_gguf.cpp
    tokenizer/stream_decoder.cpp
    tokenizer/token_format.cpp
    tokenizer/detail/bpe.cpp
    tokenizer/detail/pretokenizer.cpp
    tokenizer/detail/special.cpp
    tokenizer/detail/spm.cpp
    tokenizer/detail/utf8.cpp)
