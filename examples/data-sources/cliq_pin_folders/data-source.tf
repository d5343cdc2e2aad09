# All folders, My Pins first, in display order.
data "cliq_pin_folders" "all" {}

# Only the folders titled "Releases", with each chat's recipients and last
# message.
data "cliq_pin_folders" "releases" {
  title                = "Releases"
  include_recipients   = true
  include_last_message = true
}

output "folder_titles" {
  value = [for f in data.cliq_pin_folders.all.folders : f.title]
}
