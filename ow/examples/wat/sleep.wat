;; sleep: numeric ABI; busy-waits 3000 ms on the host clock platform.now.
(module
  (import "platform" "now" (func $now (result f64)))
  (func (export "_start")
    (local $target f64)
    call $now
    f64.const 3000
    f64.add
    local.set $target
    (loop $wait
      call $now
      local.get $target
      f64.lt
      br_if $wait)))
