package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
)

var (
	_ datasource.DataSource              = (*pinFoldersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*pinFoldersDataSource)(nil)
)

// NewPinFoldersDataSource returns the cliq_pin_folders data source: every chat folder and its chats.
func NewPinFoldersDataSource() datasource.DataSource { return &pinFoldersDataSource{} }

type pinFoldersDataSource struct {
	client *cliq.Client
}

type pinFoldersModel struct {
	Title              types.String          `tfsdk:"title"`
	IncludeRecipients  types.Bool            `tfsdk:"include_recipients"`
	IncludeLastMessage types.Bool            `tfsdk:"include_last_message"`
	Folders            []pinFoldersFolderDTO `tfsdk:"folders"`
}

type pinFoldersFolderDTO struct {
	ID        types.String        `tfsdk:"id"`
	Title     types.String        `tfsdk:"title"`
	Symbol    types.String        `tfsdk:"symbol"`
	State     types.String        `tfsdk:"state"`
	IsDefault types.Bool          `tfsdk:"is_default"`
	Chats     []pinFoldersChatDTO `tfsdk:"chats"`
}

type pinFoldersChatDTO struct {
	ChatID           types.String              `tfsdk:"chat_id"`
	ChatType         types.String              `tfsdk:"chat_type"`
	Name             types.String              `tfsdk:"name"`
	ParticipantCount types.Int64               `tfsdk:"participant_count"`
	Recipients       []pinFoldersRecipientDTO  `tfsdk:"recipients"`   // nil (null) unless asked for
	LastMessage      *pinFoldersLastMessageDTO `tfsdk:"last_message"` // nil (null) unless asked for
}

type pinFoldersRecipientDTO struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

type pinFoldersLastMessageDTO struct {
	ID         types.String `tfsdk:"id"`
	Type       types.String `tfsdk:"type"`
	Time       types.String `tfsdk:"time"`
	Text       types.String `tfsdk:"text"`
	SenderID   types.String `tfsdk:"sender_id"`
	SenderName types.String `tfsdk:"sender_name"`
}

func (d *pinFoldersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pin_folders"
}

func (d *pinFoldersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Lists the chat folders of the account, My Pins first, with their pinned chats.",
		MarkdownDescription: "Lists the chat folders of the account in display order, **My Pins** first (`id = \"default\"`, `is_default = true`), " +
			"with their pinned chats.\n\n" +
			"Without `include_recipients` and `include_last_message` the data source is served from the list read that every resource of the run shares; " +
			"either flag costs one more read (Cliq allows 20 a minute).",
		Attributes: map[string]schema.Attribute{
			"title": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only folders with exactly this title (case-sensitive). My Pins has no title and so never matches.",
			},
			"include_recipients": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Also read each chat's `recipients` (a summary of its participants). Default `false`.",
			},
			"include_last_message": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Also read each chat's `last_message`. Default `false`.",
			},
			"folders": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The folders in display order, My Pins first.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Folder id (`category_id`); `default` for My Pins. Usable as `folder_id` of `cliq_chat_pin`.",
						},
						"title": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Title of the folder; null for My Pins.",
						},
						"symbol": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Symbol (emoji short code such as `:razz:`), `\"\"` for none; null for My Pins.",
						},
						"state": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "`expanded` or `collapsed`; null for My Pins.",
						},
						"is_default": schema.BoolAttribute{
							Computed:            true,
							MarkdownDescription: "Whether this is My Pins.",
						},
						"chats": schema.ListNestedAttribute{
							Computed:            true,
							MarkdownDescription: "The folder's pinned chats, in order.",
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"chat_id":           schema.StringAttribute{Computed: true, MarkdownDescription: "Chat id as Cliq issues it, such as `CT_1847392056173920481_748291635` (the last part of the chat's URL in a browser), usable as `chat_id` of `cliq_chat_pin`. For a channel it is the channel's CHAT_ID, not its CHANNEL_ID."},
									"chat_type":         schema.StringAttribute{Computed: true, MarkdownDescription: "Type of chat, one of those Cliq lists: `direct_message`, `group_chat`, `channel`, `bot`, `thread`, `entity_chat`, `crossproduct_custom_chat` or `unknown`."},
									"name":              schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the chat."},
									"participant_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of participants."},
									"recipients": schema.ListNestedAttribute{
										Computed:            true,
										MarkdownDescription: "Summary of the participants; null unless `include_recipients` is true.",
										NestedObject: schema.NestedAttributeObject{
											Attributes: map[string]schema.Attribute{
												"id":   schema.StringAttribute{Computed: true, MarkdownDescription: "User id."},
												"name": schema.StringAttribute{Computed: true, MarkdownDescription: "User name."},
											},
										},
									},
									"last_message": schema.SingleNestedAttribute{
										Computed:            true,
										MarkdownDescription: "The chat's last message; null unless `include_last_message` is true (or when the chat has none).",
										Attributes: map[string]schema.Attribute{
											"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "Message id."},
											"type":        schema.StringAttribute{Computed: true, MarkdownDescription: "Message type, such as `text`."},
											"time":        schema.StringAttribute{Computed: true, MarkdownDescription: "When it was sent, as Cliq reports it."},
											"text":        schema.StringAttribute{Computed: true, MarkdownDescription: "Text of the message."},
											"sender_id":   schema.StringAttribute{Computed: true, MarkdownDescription: "User id of the sender."},
											"sender_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the sender; null when Cliq gives only the sender's id."},
										},
									},
								},
							},
						},
					},
				},
			},
		},
	}
}

func (d *pinFoldersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (d *pinFoldersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m pinFoldersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	inc := cliq.IncludeFields{Recipients: m.IncludeRecipients.ValueBool(), LastMessage: m.IncludeLastMessage.ValueBool()}
	var (
		folders []cliq.Folder
		err     error
	)
	if inc.Recipients || inc.LastMessage {
		folders, err = d.client.ListFoldersDetailed(ctx, inc)
	} else {
		folders, err = d.client.ListFolders(ctx) // the shared read
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not read the chat folders", err.Error())
		return
	}
	m.Folders = make([]pinFoldersFolderDTO, 0, len(folders))
	for _, f := range folders {
		if !m.Title.IsNull() && (f.IsDefault() || f.Title != m.Title.ValueString()) {
			continue
		}
		m.Folders = append(m.Folders, pinFoldersFolder(f, inc))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func pinFoldersFolder(f cliq.Folder, inc cliq.IncludeFields) pinFoldersFolderDTO {
	out := pinFoldersFolderDTO{
		ID:        types.StringValue(f.ID),
		Title:     types.StringNull(),
		Symbol:    types.StringNull(),
		State:     types.StringNull(),
		IsDefault: types.BoolValue(f.IsDefault()),
		Chats:     make([]pinFoldersChatDTO, 0, len(f.Chats)),
	}
	if !f.IsDefault() {
		out.Title = types.StringValue(f.Title)
		out.Symbol = types.StringValue(f.Symbol) // an omitted symbol is none: ""
		out.State = types.StringValue(f.State)
	}
	for _, ch := range f.Chats {
		c := pinFoldersChatDTO{
			ChatID:           types.StringValue(ch.ChatID),
			ChatType:         types.StringValue(ch.ChatType),
			Name:             types.StringValue(ch.Name),
			ParticipantCount: types.Int64Value(int64(ch.ParticipantCount)),
		}
		if inc.Recipients {
			c.Recipients = make([]pinFoldersRecipientDTO, 0, len(ch.RecipientsSummary))
			for _, r := range ch.RecipientsSummary {
				c.Recipients = append(c.Recipients, pinFoldersRecipientDTO{ID: types.StringValue(string(r.ID)), Name: types.StringValue(r.Name)})
			}
		}
		if inc.LastMessage && ch.LastMessageInfo != nil {
			lm := ch.LastMessageInfo
			c.LastMessage = &pinFoldersLastMessageDTO{
				ID:         types.StringValue(string(lm.ID)),
				Type:       types.StringValue(lm.Type),
				Time:       types.StringValue(string(lm.Time)),
				Text:       types.StringValue(lm.Content.Text),
				SenderID:   types.StringValue(string(lm.Sender.ID)),
				SenderName: senderName(lm.Sender),
			}
		}
		out.Chats = append(out.Chats, c)
	}
	return out
}

// senderName is the sender's name, null when Cliq gave the sender as an id alone (the shape of the
// v3 Chats module's chat object).
func senderName(s cliq.MessageSender) types.String {
	if s.Name == "" {
		return types.StringNull()
	}
	return types.StringValue(s.Name)
}
