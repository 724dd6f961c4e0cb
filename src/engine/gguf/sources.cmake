# GGUF reader/writer (src/engine/gguf): appended to lg_engine by src/engine/CMakeLists.txt.
list(APPEND LG_ENGINE_SOURCES
    gguf/gguf.cpp
    gguf/parse.cpp
    gguf/hparams.cpp
    gguf/info.cpp
    gguf/writer.cpp
    gguf/synthetic.cpp)
