package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A second baseline: "cliq-tf/benchnull", a minimal terraform-plugin-framework provider whose one
// resource stores its input and reads nothing. It pays what every framework provider pays (a
// plugin process, gRPC, the framework) and nothing else, which sets the cliq provider's own cost
// apart from the plugin protocol's. Like the cliq provider (main.go), it switches the SDK's trace
// logs off when no log was asked for.
//
// The benchmark binary serves it when CLIQ_BENCH_NULLPROVIDER is set (through the same wrapper as
// the real provider, for its rusage).

const (
	envNullProvider  = "CLIQ_BENCH_NULLPROVIDER"
	nullProviderAddr = "registry.terraform.io/cliq-tf/benchnull"
)

func serveNullProvider() int {
	quiet := true
	for _, v := range []string{"TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		quiet = quiet && os.Getenv(v) == ""
	}
	if quiet {
		for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
			_ = os.Setenv(v, "off")
		}
	}
	err := providerserver.Serve(context.Background(), func() provider.Provider { return nullProvider{} },
		providerserver.ServeOpts{Address: nullProviderAddr, ProtocolVersion: 6})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	return 0
}

type nullProvider struct{}

func (nullProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "benchnull"
}

func (nullProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (nullProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (nullProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return nullThing{} }}
}

func (nullProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type nullThing struct{}

type nullThingModel struct {
	ID    types.String `tfsdk:"id"`
	Input types.String `tfsdk:"input"`
}

func (nullThing) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_thing"
}

func (nullThing) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":    schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"input": schema.StringAttribute{Required: true},
	}}
}

var nullIDs atomic.Int64

func (nullThing) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m nullThingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue(fmt.Sprintf("%d-%d", time.Now().UnixNano(), nullIDs.Add(1)))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (nullThing) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (nullThing) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m nullThingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (nullThing) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// nullSeparateConfig is cliqSeparateConfig with benchnull_thing: a block per folder and per pin.
func nullSeparateConfig(folders int) string {
	return separateConfig(nullHeader, folders,
		func(f int) string {
			return fmt.Sprintf("resource \"benchnull_thing\" \"f%d\" {\n  input = \"Bench folder %d\"\n}\n", f, f)
		},
		func(f, p, chat int) string {
			return fmt.Sprintf("resource \"benchnull_thing\" \"f%d_p%d\" {\n  input = \"${benchnull_thing.f%d.id}/1488288613%09d\"\n}\n", f, p, f, chat)
		})
}

const nullHeader = `terraform {
  required_providers {
    benchnull = {
      source = "cliq-tf/benchnull"
    }
  }
}
`

// nullConfig is baselineConfig with benchnull_thing instead of terraform_data.
func nullConfig(folders int) string {
	return nullHeader + fmt.Sprintf(`
resource "benchnull_thing" "f" {
  count = %[1]d
  input = "Bench folder ${count.index}"
}

resource "benchnull_thing" "p" {
  count = %[1]d * %[2]d
  input = "${benchnull_thing.f[floor(count.index / %[2]d)].id}/${format("1488288613%%09d", count.index)}"
}
`, folders, pinsPerFolder)
}
