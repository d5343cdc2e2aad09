# Pin the "Standup" channel to My Pins by its name. name_exact fails the plan,
# listing the candidates, unless exactly one channel has this name.
data "cliq_chats" "standup" {
  name_exact = "Standup"
  type       = "channel"
}

resource "cliq_chat_pin" "standup" {
  chat_id = data.cliq_chats.standup.chats[0].chat_id
}

# Pin every channel whose name starts with "proj-" into one folder. Cliq
# matches a part of the name, so keep the chats whose name starts with it.
data "cliq_chats" "projects" {
  name = "proj-"
  type = "channel"
}

resource "cliq_pin_folder" "projects" {
  title  = "Projects"
  symbol = ":file_folder:"
}

resource "cliq_chat_pin" "projects" {
  for_each = {
    for chat in data.cliq_chats.projects.chats : chat.name => chat.chat_id
    if startswith(chat.name, "proj-")
  }
  folder_id = cliq_pin_folder.projects.id
  chat_id   = each.value
}

output "project_channels" {
  value = keys(cliq_chat_pin.projects)
}
