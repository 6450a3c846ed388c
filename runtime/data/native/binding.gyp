{
  "targets": [
    {
      "target_name": "subnet_jpeg",
      "sources": ["subnet_jpeg.c"],
      "libraries": ["-lturbojpeg"],
      "cflags": ["-O3", "-std=c11", "-Wall"]
    }
  ]
}
