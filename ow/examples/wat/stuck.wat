;; stuck: numeric ABI; _start never returns.
(module
  (func (export "_start")
    (loop $forever
      br $forever)))
