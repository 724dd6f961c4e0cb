# Sampling: token choice (penalties, greedy, top-k/top-p/min-p, temperature, seed) and the
# streaming stop gate (stop strings, end tokens, max tokens, deadline).
list(APPEND LG_ENGINE_SOURCES
    sampling/sampler.cpp
    sampling/stop_controller.cpp)
