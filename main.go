// Command terraform-provider-cliq is a Terraform provider for the "My Pins
// and Chat Folders" module of Zoho Cliq.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cliq-tf/terraform-provider-cliq/internal/provider"
)

// Generate the documentation under docs/ from the provider schema, the
// examples/ and the templates/ directories.
//go:generate go tool tfplugindocs generate --provider-name cliq

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debugMode bool

	flag.BoolVar(&debugMode, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	quietUnreadSDKLogs()
	collectGarbageLessOften()
	opts := providerserver.ServeOpts{
		Address: "registry.terraform.io/cliq-tf/cliq",
		Debug:   debugMode,
	}

	err := providerserver.Serve(context.Background(), provider.New(version), opts)
	if err != nil {
		log.Fatal(err.Error())
	}
}

// logSettings are the environment variables through which a user asks Terraform (or the SDK) for
// logs. Terraform passes its environment on to the provider.
var logSettings = []string{
	"TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_CLIQ",
	"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PATH_MASK", "TF_ACC_LOG_PATH",
}

// quietUnreadSDKLogs switches off the framework's and the protocol's trace logs when no log was
// asked for. They are written regardless, and Terraform then throws them away: at 1200 resources
// they cost about a third of a plan's provider CPU. Any logging variable leaves them as they are.
func quietUnreadSDKLogs() {
	for _, v := range logSettings {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		_ = os.Setenv(v, "off")
	}
}

// A plan of many resources allocates heavily in the framework and the plugin protocol: at 1200
// resources a quarter of the provider's CPU went to the garbage collector. The provider process
// lives for one Terraform command, so it collects less often (GOGC 400, as some Go tools do), with a
// soft memory limit that makes the collector work harder again before the heap grows large.
// GOGC and GOMEMLIMIT, when set, win.
const (
	gcPercent   = 400
	memoryLimit = 512 << 20
)

func collectGarbageLessOften() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
