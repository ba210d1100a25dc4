package main

import (
	"os"

	"github.com/redisctl/redisctl/cmd"
)

func main() { os.Exit(cmd.Main()) }
