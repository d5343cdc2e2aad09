package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

var (
	_ resource.Resource                   = (*chatPinResource)(nil)
	_ resource.ResourceWithConfigure      = (*chatPinResource)(nil)
	_ resource.ResourceWithImportState    = (*chatPinResource)(nil)
	_ resource.ResourceWithIdentity       = (*chatPinResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*chatPinResource)(nil)
	_ resource.ResourceWithValidateConfig = (*chatPinResource)(nil)
)

// NewChatPinResource returns the cliq_chat_pin resource: one chat pinned in one folder or in My Pins.
func NewChatPinResource() resource.Resource { return &chatPinResource{} }

type chatPinResource struct {
	client *cliq.Client
}

type chatPinModel struct {
	ID       types.String `tfsdk:"id"`
	ChatID   types.String `tfsdk:"chat_id"`
	FolderID types.String `tfsdk:"folder_id"`
	PinAbove types.String `tfsdk:"pin_above"`
}

type chatPinIdentityModel struct {
	FolderID types.String `tfsdk:"folder_id"`
	ChatID   types.String `tfsdk:"chat_id"`
}

func (r *chatPinResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_chat_pin"
	// The identity is (folder_id, chat_id), and changing folder_id moves the pin in place (unlike a
	// replacement, which would unpin it and pin it again): the identity follows the move.
	resp.ResourceBehavior.MutableIdentity = true
}

func (r *chatPinResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Pins one chat into a chat folder or into My Pins.",
		MarkdownDescription: "Pins one chat into a chat folder, or into the built-in **My Pins** section (`folder_id = \"default\"`).\n\n" +
			"Use one `cliq_chat_pin` per chat, so that a module can add pins to a folder it does not own. " +
			"Do not combine it with a `cliq_pin_folder` whose `chat_ids` is set for the same folder: `chat_ids` is authoritative and would undo these pins. " +
			"Leave `chat_ids` out of that folder's configuration instead.\n\n" +
			"Destroying a pin takes the chat out of this folder only: if the same chat is also pinned in another folder, it stays pinned there, even if a person pinned it there a moment before. " +
			"The removal sends the folder's list of chats without this one, built from a read of the folder made after the provider's own last change to it, and Cliq refuses it if anybody changed the folder after that read (the provider then reads again), " +
			"so a chat pinned into or unpinned from the folder by hand is never undone. Pins destroyed together from one folder share one request.\n\n" +
			"My Pins is the one exception, and only if Cliq refuses to replace My Pins' list of chats: the provider then unpins the chat, which Cliq applies to every folder. " +
			"It does so only when a read made just before shows the chat in no other folder, and otherwise fails with an error naming those folders. " +
			"A person pinning the same chat into another folder in the instant between that read and the unpin would lose that pin.\n\n" +
			"**Many pins at once.** A folder's pins that Terraform hands over together leave it together: pins being added go one request each while Cliq's pin budget (50 a minute) has room, " +
			"and otherwise in one request that sends the folder's list of chats, built like a removal's from a read made after the provider's own last change to the folder, so a chat pinned by hand meanwhile stays. " +
			"The provider keeps every operation under Cliq's limits at any `-parallelism`; a higher value only lets more of a folder's pins arrive together. " +
			"For applies and destroys of many pins, run Terraform with `-parallelism=256` (on HCP Terraform, the workspace environment variable `TFE_PARALLELISM=256`; " +
			"see the provider's *Rate limits* section).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<folder_id>/<chat_id>`, for example `default/CT_1847392056173920481_748291635`.",
			},
			"chat_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Id of the chat to pin, as Cliq issues it: such as `CT_1847392056173920481_748291635`, a thread's `CT_1207124526552602256_60002085329-T-1291567019566818579`, " +
					"a bot's or channel's `CT_1847392056173920481_55622663-B2` or `CT_1847392056173920481_P87610291-C4`, or digits. " +
					"It is the last part of the chat's URL in a browser (`https://cliq.zoho.com/app/chats/<CHAT_ID>`); for a channel, use this CHAT_ID, not the channel's CHANNEL_ID. " +
					"The `cliq_chats` data source finds a chat's id by its name; the `cliq_pin_folders` data source and `terraform query` with the `cliq_chat_pin` list resource also show the ids of pinned chats. " +
					"A pasted URL is refused with the id to use. Changing it pins another chat (replacement).",
				Validators:    []validator.String{pinChatIDValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"folder_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(cliq.DefaultFolderID),
				MarkdownDescription: "Id of the chat folder to pin the chat into, typically `cliq_pin_folder.<name>.id`; `default` (the default) is My Pins. " +
					"Changing it moves the pin: the chat is pinned into the new folder first, then taken out of the old one, so it is never left unpinned; " +
					"out of My Pins, it leaves My Pins first (where Cliq only lets a chat out of My Pins by unpinning it everywhere, that unpin would otherwise take it out of the new folder too).",
				Validators: []validator.String{pinFolderIDValidator()},
			},
			"pin_above": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Id of another chat pinned in the same folder that this chat should sit directly above, " +
					"typically `cliq_chat_pin.<name>.chat_id` (which also makes Terraform pin that chat first). " +
					"When set, a change of order made outside Terraform shows as drift and the next apply restores it. " +
					"Leave it out to leave the position open: Cliq's choice for a pin sent alone, the end of the folder for one added together with others. " +
					"After an import it reports the chat found below this one, without ever causing a change.",
				Validators: []validator.String{pinChatIDValidator()},
			},
		},
	}
}

func (r *chatPinResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"folder_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "Id of the chat folder, or \"default\" for My Pins. May be left out on import when the chat is pinned in exactly one folder.",
			},
			"chat_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Id of the pinned chat.",
			},
		},
	}
}

func (r *chatPinResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *chatPinResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var pinAbove, chatID types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("pin_above"), &pinAbove)...)
	if resp.Diagnostics.HasError() || pinAbove.IsNull() || pinAbove.IsUnknown() {
		return
	}
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("chat_id"), &chatID)...)
	if !resp.Diagnostics.HasError() && !chatID.IsUnknown() && pinAbove.ValueString() == chatID.ValueString() {
		resp.Diagnostics.AddAttributeError(path.Root("pin_above"), "Invalid pin_above",
			"pin_above must name another chat of the same folder, not the pinned chat itself.")
	}
}

// ModifyPlan computes id, and keeps pin_above as it is in state when the configuration leaves it out
// (the position is then not managed, and an imported value must not cause a change).
func (r *chatPinResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw) {
		return // nothing changes: the common case of a large refresh plan, spared four conversions
	}
	var plan, config chatPinModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *chatPinModel
	if !req.State.Raw.IsNull() {
		state = &chatPinModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if plan.FolderID.IsUnknown() || plan.ChatID.IsUnknown() {
		plan.ID = types.StringUnknown()
	} else {
		plan.ID = types.StringValue(pinID(plan.FolderID.ValueString(), plan.ChatID.ValueString()))
	}
	if config.PinAbove.IsNull() {
		switch {
		case state != nil && !plan.FolderID.IsUnknown() && plan.FolderID.Equal(state.FolderID) && plan.ChatID.Equal(state.ChatID):
			plan.PinAbove = state.PinAbove
		default:
			plan.PinAbove = types.StringNull()
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *chatPinResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan chatPinModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	folderID, chatID := plan.FolderID.ValueString(), plan.ChatID.ValueString()
	// Pinning a chat that is already there adopts it.
	if err := r.client.AddPin(ctx, folderID, chatID); err != nil {
		addPinError(&resp.Diagnostics, "Could not pin the chat", folderID, chatID, err)
		return
	}
	plan.ID = types.StringValue(pinID(folderID, chatID))
	if !plan.PinAbove.IsNull() {
		if err := r.reorder(ctx, folderID, chatID, plan.PinAbove.ValueString(), &resp.Diagnostics); err != nil {
			// The chat is pinned: record it (Terraform marks it tainted), without a position.
			plan.PinAbove = types.StringNull()
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	r.setIdentity(ctx, resp.Identity, folderID, chatID, &resp.Diagnostics)
}

// reorder puts chatID directly above pinAbove in folderID, reporting a failure in diags.
func (r *chatPinResource) reorder(ctx context.Context, folderID, chatID, pinAbove string, diags *diag.Diagnostics) error {
	err := r.client.ReorderChat(ctx, folderID, chatID, pinAbove)
	if err == nil {
		return nil
	}
	// Say so plainly when pin_above names a chat that is not in the folder.
	if f, ok, rerr := r.client.GetFolder(ctx, folderID); rerr == nil && ok && !f.HasChat(pinAbove) {
		diags.AddAttributeError(path.Root("pin_above"), "Could not order the pinned chat",
			fmt.Sprintf("pin_above names chat %q, which is not pinned in folder %q. pin_above must name another chat of the same folder: "+
				"pin that chat there first (for example with a cliq_chat_pin that pin_above references, so that Terraform creates it first), "+
				"or remove pin_above.\n\n%v", pinAbove, folderID, err))
		return err
	}
	addPinError(diags, "Could not order the pinned chat", folderID, chatID, err)
	return err
}

func (r *chatPinResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// Read straight from the raw state rather than through the framework's reflection: a large
	// refresh plan reads every pin, and nearly all of them come back unchanged.
	prior, err := chatPinModelFromRaw(req.State.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the state of the pinned chat", err.Error())
		return
	}
	state := prior
	folderID, chatID := state.FolderID.ValueString(), state.ChatID.ValueString()
	if folderID == "" {
		folderID = cliq.DefaultFolderID
	}
	// Set first: the framework wants an identity even from a Read that removes the resource.
	r.setIdentity(ctx, resp.Identity, folderID, chatID, &resp.Diagnostics)
	f, ok, err := r.client.GetFolder(ctx, folderID)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the chat folders", err.Error())
		return
	}
	if !ok || !f.HasChat(chatID) {
		// The folder or the pin is gone: the next plan pins the chat again.
		resp.State.RemoveResource(ctx)
		return
	}
	state.FolderID = types.StringValue(folderID)
	state.ID = types.StringValue(pinID(folderID, chatID))
	if !state.PinAbove.IsNull() {
		if below := chatBelow(f.ChatIDs(), chatID); below != "" {
			state.PinAbove = types.StringValue(below)
		} else {
			state.PinAbove = types.StringNull()
		}
	}
	if state.equal(prior) {
		return // resp.State already holds the prior state
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (m chatPinModel) equal(o chatPinModel) bool {
	return m.ID.Equal(o.ID) && m.ChatID.Equal(o.ChatID) && m.FolderID.Equal(o.FolderID) && m.PinAbove.Equal(o.PinAbove)
}

// chatPinModelFromRaw decodes a cliq_chat_pin state without the framework's reflection.
func chatPinModelFromRaw(raw tftypes.Value) (chatPinModel, error) {
	var m chatPinModel
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		return m, err
	}
	for _, a := range [...]struct {
		name string
		dst  *types.String
	}{{"id", &m.ID}, {"chat_id", &m.ChatID}, {"folder_id", &m.FolderID}, {"pin_above", &m.PinAbove}} {
		name, dst := a.name, a.dst
		v, ok := attrs[name]
		if !ok {
			return m, fmt.Errorf("the state has no %s", name)
		}
		var s *string
		if !v.IsKnown() {
			*dst = types.StringUnknown()
			continue
		}
		if err := v.As(&s); err != nil {
			return m, fmt.Errorf("%s: %w", name, err)
		}
		*dst = types.StringPointerValue(s)
	}
	return m, nil
}

func (r *chatPinResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state chatPinModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	chatID := plan.ChatID.ValueString()
	oldFolder, newFolder := state.FolderID.ValueString(), plan.FolderID.ValueString()
	moved := oldFolder != newFolder
	if moved {
		if err := r.client.MovePin(ctx, chatID, oldFolder, newFolder); err != nil {
			// Perhaps half done. Keep the old folder in the state, so that the next apply finishes
			// the move instead of leaving the chat behind for good.
			addPinError(&resp.Diagnostics, fmt.Sprintf("Could not move the pinned chat from folder %q to folder %q; run apply again to finish the move", oldFolder, newFolder),
				newFolder, chatID, err)
			return
		}
	}
	plan.ID = types.StringValue(pinID(newFolder, chatID))
	if !plan.PinAbove.IsNull() && (moved || !plan.PinAbove.Equal(state.PinAbove)) {
		if err := r.reorder(ctx, newFolder, chatID, plan.PinAbove.ValueString(), &resp.Diagnostics); err != nil {
			plan.PinAbove = types.StringNull()
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	r.setIdentity(ctx, resp.Identity, newFolder, chatID, &resp.Diagnostics)
}

func (r *chatPinResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state chatPinModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	folderID, chatID := state.FolderID.ValueString(), state.ChatID.ValueString()
	// Takes the chat out of this folder alone; concurrent removals share requests.
	if err := r.client.RemovePin(ctx, folderID, chatID); err != nil {
		addPinError(&resp.Diagnostics, "Could not unpin the chat", folderID, chatID, err)
	}
}

func (r *chatPinResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var folderID, chatID string
	if req.ID != "" {
		var err error
		if folderID, chatID, err = parsePinImportID(req.ID); err != nil {
			resp.Diagnostics.AddError("Invalid import id", err.Error())
			return
		}
	} else {
		var id chatPinIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		if resp.Diagnostics.HasError() {
			return
		}
		folderID, chatID = id.FolderID.ValueString(), id.ChatID.ValueString()
		problem := chatIDProblem("the identity's chat_id", chatID)
		if problem == "" && folderID != "" {
			problem = folderIDProblem("the identity's folder_id", folderID, true, "")
		}
		if problem != "" {
			resp.Diagnostics.AddError("Invalid import identity",
				problem+" The identity's folder_id may also be left out when the chat is pinned in one folder only.")
			return
		}
	}
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider was not configured before the import.")
		return
	}
	if folderID == "" {
		folders, err := r.client.ListFolders(ctx)
		if err != nil {
			resp.Diagnostics.AddError("Could not read the chat folders", err.Error())
			return
		}
		holding := foldersHolding(folders, chatID)
		switch len(holding) {
		case 0:
			resp.Diagnostics.AddError("Cannot import a chat that is not pinned",
				fmt.Sprintf("Chat %q is not pinned in My Pins nor in any chat folder.", chatID))
			return
		case 1:
			folderID = holding[0]
		default:
			resp.Diagnostics.AddError("Chat pinned in several folders",
				fmt.Sprintf("Chat %q is pinned in %d folders (%s): import one pin at a time as <folder_id>/<chat_id>, for example %q.",
					chatID, len(holding), strings.Join(holding, ", "), pinID(holding[0], chatID)))
			return
		}
	}
	// Report the chat's position, so that a configuration with a matching pin_above plans no change;
	// the model's plan modifier keeps it when the configuration leaves pin_above out.
	pinAbove := types.StringNull()
	if f, ok, err := r.client.GetFolder(ctx, folderID); err != nil {
		resp.Diagnostics.AddError("Could not read the chat folders", err.Error())
		return
	} else if ok {
		if below := chatBelow(f.ChatIDs(), chatID); below != "" {
			pinAbove = types.StringValue(below)
		}
	}
	m := chatPinModel{
		ID:       types.StringValue(pinID(folderID, chatID)),
		ChatID:   types.StringValue(chatID),
		FolderID: types.StringValue(folderID),
		PinAbove: pinAbove,
	}
	// Read, which follows, removes a pin that does not exist: Terraform then reports that the
	// object to import does not exist.
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	r.setIdentity(ctx, resp.Identity, folderID, chatID, &resp.Diagnostics)
}

func (r *chatPinResource) setIdentity(_ context.Context, identity *tfsdk.ResourceIdentity, folderID, chatID string, _ *diag.Diagnostics) {
	setStringIdentity(identity, map[string]string{"folder_id": folderID, "chat_id": chatID})
}
