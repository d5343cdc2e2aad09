output "folder_ids" {
  description = "The ids Cliq gave the managed folders."
  value = {
    releases = cliq_pin_folder.releases.id
    oncall   = cliq_pin_folder.oncall.id
    team     = cliq_pin_folder.team.id
  }
}

output "folders" {
  description = "Every folder (My Pins first) with the number of chats pinned in it."
  value = [
    for f in data.cliq_pin_folders.all.folders : {
      title = f.is_default ? "My Pins" : f.title
      chats = f.chats == null ? 0 : length(f.chats)
    }
  ]
}

output "pinned_chats" {
  description = "Total number of pinned chats across all folders."
  value       = sum(concat([0], [for f in data.cliq_pin_folders.all.folders : f.chats == null ? 0 : length(f.chats)]))
}

output "pinned_by_name" {
  description = "The chats pinned to My Pins by name, with the ids Cliq gives them."
  value = {
    for c in concat(data.cliq_chats.announcements.chats, data.cliq_chats.deploy_bot.chats) : c.name => c.chat_id
  }
}
