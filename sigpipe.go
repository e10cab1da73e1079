package main

import (
	"os"
	"os/signal"
	"syscall"
)

// surviveClosedPipes keeps the exporter running when its log is lost. Go
// kills a program whose write to stdout or stderr meets a closed pipe (a
// log shipper that died, a `| head`) unless the program takes SIGPIPE
// itself. Taken, the signal lands in a channel nobody reads and the write
// fails with EPIPE, which the logger drops: losing the log must never stop
// the scrapes.
func surviveClosedPipes() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}
