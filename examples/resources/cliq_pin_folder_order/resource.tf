resource "cliq_pin_folder" "releases" {
  title = "Releases"
}

resource "cliq_pin_folder" "oncall" {
  title = "On-call"
}

resource "cliq_pin_folder" "team" {
  title = "Team"
}

# The display order of the listed folders, at the top of the folder list.
# Folders not listed keep their relative order below them. There is one
# folder order per Cliq user, so declare at most one of these per account.
resource "cliq_pin_folder_order" "main" {
  folder_ids = [
    cliq_pin_folder.releases.id,
    cliq_pin_folder.oncall.id,
    cliq_pin_folder.team.id,
  ]
}
