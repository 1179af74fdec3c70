module gomalloc.dev/conformance/extract

go 1.22
