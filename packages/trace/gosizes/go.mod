module gomalloc/trace/gosizes

go 1.19
