module gomalloc.dev/profiling/govectors

go 1.19
