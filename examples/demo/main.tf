# A small, complete configuration for `make demo`: three chat folders in a
# fixed order, two chats found by name and pinned to My Pins, and two pinned
# into a folder whose chats are otherwise unmanaged. The provider reads
# CLIQ_API_URL and CLIQ_ACCESS_TOKEN from the environment (scripts/demo.sh
# points them at a local fake Cliq server).

terraform {
  required_providers {
    cliq = {
      source = "cliq-tf/cliq"
    }
  }
}

provider "cliq" {}

# Chat ids are as Cliq issues them: the last part of a chat's URL in a browser
# (https://cliq.zoho.com/app/chats/<CHAT_ID>); for a channel, its CHAT_ID.

# chat_ids is authoritative: the folder holds exactly these chats, in order.
resource "cliq_pin_folder" "releases" {
  title  = "Releases"
  symbol = ":rocket:"
  chat_ids = [
    "CT_1847392056173920481_P87610291-C4", # the releases channel
    "CT_1847392056173920481_55622663-B2",  # the deploy bot
  ]
}

resource "cliq_pin_folder" "oncall" {
  title  = "On-call"
  symbol = ":rotating_light:"
  state  = "collapsed"
  chat_ids = [
    "CT_1207124526552602256_60002085329-T-1291567019566818579", # a thread
  ]
}

# No chat_ids: the folder's chats are left to cliq_chat_pin resources (or to
# the people using Cliq).
resource "cliq_pin_folder" "team" {
  title  = "Team"
  symbol = ":busts_in_silhouette:"
}

resource "cliq_pin_folder_order" "folders" {
  folder_ids = [
    cliq_pin_folder.releases.id,
    cliq_pin_folder.oncall.id,
    cliq_pin_folder.team.id,
  ]
}

# Pinned to My Pins (folder_id omitted), found by name: cliq_chats looks the
# chats up, and name_exact fails the plan unless exactly one chat has the name.
data "cliq_chats" "announcements" {
  name_exact = "Announcements"
  type       = "channel"
}

data "cliq_chats" "deploy_bot" {
  name_exact = "Deploy Bot"
  type       = "bot"
}

resource "cliq_chat_pin" "announcements" {
  chat_id = data.cliq_chats.announcements.chats[0].chat_id
}

resource "cliq_chat_pin" "deploy_bot" {
  chat_id = data.cliq_chats.deploy_bot.chats[0].chat_id
}

# Pinned into the "Team" folder, the design chat above the platform chat.
resource "cliq_chat_pin" "team_platform" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "CT_1847392056173920481_748291635"
}

resource "cliq_chat_pin" "team_design" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "CT_1847392056173920481_748291702"
  pin_above = cliq_chat_pin.team_platform.chat_id
}

# Read everything back once all pins are in place.
data "cliq_pin_folders" "all" {
  depends_on = [
    cliq_pin_folder_order.folders,
    cliq_chat_pin.announcements,
    cliq_chat_pin.deploy_bot,
    cliq_chat_pin.team_platform,
    cliq_chat_pin.team_design,
  ]
}
