package main

import (
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium/server"
)

// baselineServer is the widget-settings baseline: a bare gin engine with
// one handler writing a constant JSON body (the bytes Helpium answered),
// behind an http.Server with the settings of server.Serve.
func baselineServer(args []string) error {
	fs := flag.NewFlagSet("baseline-server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback)")
	path := fs.String("path", "/api/customer/widget/settings", "route")
	bodyFile := fs.String("body", "", "file with the JSON body to serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if host, _, err := net.SplitHostPort(*addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return errors.New("-addr must be a loopback host:port")
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET(*path, func(c *gin.Context) { c.Data(http.StatusOK, "application/json; charset=utf-8", body) })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: r, ErrorLog: log.New(io.Discard, "", 0)}
	server.DefaultTimeouts.Apply(srv) // as server.Serve
	return srv.Serve(ln)
}
