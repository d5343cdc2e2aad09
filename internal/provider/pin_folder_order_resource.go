package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

var (
	_ resource.Resource                = (*pinFolderOrderResource)(nil)
	_ resource.ResourceWithConfigure   = (*pinFolderOrderResource)(nil)
	_ resource.ResourceWithImportState = (*pinFolderOrderResource)(nil)
)

// pinFolderOrderID is the id of the one cliq_pin_folder_order: the folder order is global.
const pinFolderOrderID = "folders"

// NewPinFolderOrderResource returns the cliq_pin_folder_order resource.
func NewPinFolderOrderResource() resource.Resource { return &pinFolderOrderResource{} }

type pinFolderOrderResource struct {
	client *cliq.Client
}

type pinFolderOrderModel struct {
	ID        types.String   `tfsdk:"id"`
	FolderIDs types.List     `tfsdk:"folder_ids"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}

func (r *pinFolderOrderResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pin_folder_order"
}

func (r *pinFolderOrderResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The display order of chat folders: on create, the listed folders take exactly this relative order at the top of the folder list, and folders not listed keep their relative order below them; a later change moves only the folders whose relative order it changes. One per Cliq account.",
		MarkdownDescription: "The display order of chat folders. The folders listed in `folder_ids` take exactly this relative order at the top of the folder list, " +
			"with the fewest moves; folders not listed keep their relative order below them. The built-in My Pins section always comes first and cannot be ordered. " +
			"A later change of `folder_ids` moves only the folders whose relative order it changes, or that it adds to the list (placed among the listed ones): " +
			"every other pair of folders, listed or not, stays in the order someone may have given it by hand in Cliq.\n\n" +
			"The folder order is global to the Cliq user, so declare at most one `cliq_pin_folder_order` per account. " +
			"Terraform reports drift when the listed folders' relative order changes outside Terraform, or when a listed folder no longer exists; " +
			"folders created outside Terraform cause no difference. Destroying this resource changes nothing in Cliq.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				Description:         "Always \"folders\".",
				MarkdownDescription: "Always `folders`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"folder_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Required:            true,
				Description:         "The ids of the folders to order, top first: at least 2, no duplicates, typically cliq_pin_folder ids.",
				MarkdownDescription: "The ids of the folders to order, top first: at least 2, no duplicates, typically `cliq_pin_folder.<name>.id`.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(2),
					listvalidator.NoNullValues(),
					pinFolderUniqueStrings{},
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(pinFolderDigitsRegexp,
						"must be a chat folder id, a string of digits (My Pins, \"default\", always comes first and cannot be ordered)")),
				},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true}),
		},
	}
}

func (r *pinFolderOrderResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *pinFolderOrderResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan pinFolderOrderModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, pinFolderDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	r.applyAndSave(ctx, nil, plan, timeout, &resp.State, &resp.Diagnostics)
}

func (r *pinFolderOrderResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state pinFolderOrderModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, pinFolderDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	r.applyAndSave(ctx, &state, plan, timeout, &resp.State, &resp.Diagnostics)
}

// applyAndSave is Create (prior nil) and Update: order the folders within timeout, then record the plan.
func (r *pinFolderOrderResource) applyAndSave(ctx context.Context, prior *pinFolderOrderModel, plan pinFolderOrderModel, timeout time.Duration, state *tfsdk.State, diags *diag.Diagnostics) {
	if diags.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	diags.Append(r.apply(ctx, prior, plan)...)
	if diags.HasError() {
		return
	}
	plan.ID = types.StringValue(pinFolderOrderID)
	diags.Append(state.Set(ctx, plan)...)
}

// apply puts the planned folders at the top of the folder list, in their planned order (Create), or
// changes only the pairs of folders whose order the plan changes (Update): a hand-made order of
// the others stays.
func (r *pinFolderOrderResource) apply(ctx context.Context, prior *pinFolderOrderModel, plan pinFolderOrderModel) diag.Diagnostics {
	var diags diag.Diagnostics
	var ids, priorIDs []string
	diags.Append(plan.FolderIDs.ElementsAs(ctx, &ids, false)...)
	if prior != nil && !prior.FolderIDs.IsNull() && !prior.FolderIDs.IsUnknown() {
		diags.Append(prior.FolderIDs.ElementsAs(ctx, &priorIDs, false)...)
	}
	if diags.HasError() {
		return diags
	}
	var err error
	if prior == nil || priorIDs == nil {
		err = r.client.SetFolderOrder(ctx, ids)
	} else {
		err = r.client.UpdateFolderOrder(ctx, priorIDs, ids)
	}
	if err != nil {
		detail := pinFolderErrorDetail(err)
		diags.AddAttributeError(path.Root("folder_ids"), "Could not order the chat folders", detail)
	}
	return diags
}

func (r *pinFolderOrderResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pinFolderOrderModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	current, err := r.client.FolderOrder(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the chat folder order", pinFolderErrorDetail(err))
		return
	}
	var listed []string
	if !state.FolderIDs.IsNull() && !state.FolderIDs.IsUnknown() {
		resp.Diagnostics.Append(state.FolderIDs.ElementsAs(ctx, &listed, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	ids := pinFolderOrderActual(current, listed, state.FolderIDs.IsNull())
	var diags diag.Diagnostics
	state.FolderIDs, diags = types.ListValueFrom(ctx, types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	state.ID = types.StringValue(pinFolderOrderID)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// pinFolderOrderActual is what Read reports: the listed folders that still exist, in their actual
// relative order. Folders not listed are left out so that they cause no difference; folders that
// no longer exist drop out so that the difference shows. After an import nothing is listed yet,
// so every folder is reported.
func pinFolderOrderActual(current, listed []string, all bool) []string {
	if all {
		return slices.Clone(current)
	}
	out := []string{}
	for _, id := range current {
		if slices.Contains(listed, id) {
			out = append(out, id)
		}
	}
	return out
}

func (r *pinFolderOrderResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// The folders keep their order: there is no "unordered" state to return to.
}

func (r *pinFolderOrderResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID != pinFolderOrderID {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("The folder order is one per Cliq account and is imported with the id %q, not %q: terraform import cliq_pin_folder_order.<name> %s", pinFolderOrderID, req.ID, pinFolderOrderID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), pinFolderOrderID)...)
}
