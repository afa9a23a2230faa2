;; noabi: a valid module matching no ABI (no _start, no reactor exports).
(module
  (func (export "foo")))
