{
  "targets": [
    {
      "target_name": "dutkit_tftp",
      "sources": ["src/tftp/native/binding.c", "src/tftp/native/read-loop.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
