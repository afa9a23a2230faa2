;; nettest: numeric ABI using the net capability; _start() -> http.get().
(module
  (import "http" "get" (func $get (result i32)))
  (func (export "_start") (result i32)
    call $get))
