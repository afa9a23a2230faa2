;; badimport: imports something the host does not provide.
(module
  (import "env" "whatever" (func $whatever))
  (func (export "_start")
    call $whatever))
