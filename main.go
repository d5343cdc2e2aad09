// Command terraform-provider-cliq is a Terraform provider for the "My Pins
// and Chat Folders" module of Zoho Cliq.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cliq-tf/terraform-provider-cliq/internal/provider"
)

// Generate the documentation under docs/ from the provider schema, the
// examples/ and the templates/ directories.
//go:generate go tool tfplugindocs generate --provider-name cliq

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool

	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	opts := providerserver.ServeOpts{
		Address: "registry.terraform.io/cliq-tf/cliq",
		Debug:   debug,
	}

	err := providerserver.Serve(context.Background(), provider.New(version), opts)
	if err != nil {
		log.Fatal(err.Error())
	}
}
