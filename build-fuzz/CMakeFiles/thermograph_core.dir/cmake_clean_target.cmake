file(REMOVE_RECURSE
  "libthermograph_core.a"
)
