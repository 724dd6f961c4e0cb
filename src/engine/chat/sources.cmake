# Chat: prompt templates per model family (detected from the GGUF or named in config) and the
# reasoning-block filter.
list(APPEND LG_ENGINE_SOURCES
    chat/chat_template.cpp
    chat/reasoning.cpp)
