module gomalloc.dev/govectors

go 1.26
