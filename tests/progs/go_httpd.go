// go_httpd: Go's net/http file server, for the scaling benchmark (the same
// static binary runs in amphi and in the Linux VM).
//
//	go_httpd PORT DOCROOT
//
// It serves DOCROOT's files with http.FileServer, which sends bodies with
// sendfile(2) where the kernel has it, on as many threads as the Go runtime
// starts for the CPUs it finds (GOMAXPROCS).  Once listening it prints
// "go_httpd: listening on port PORT" on stdout.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go_httpd PORT DOCROOT")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", ":"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "go_httpd:", err)
		os.Exit(1)
	}
	fmt.Printf("go_httpd: listening on port %s (%d CPUs)\n", os.Args[1], runtime.NumCPU())
	err = http.Serve(ln, http.FileServer(http.Dir(os.Args[2])))
	fmt.Fprintln(os.Stderr, "go_httpd:", err)
	os.Exit(1)
}
