# The display order of the listed folders. There is one folder order per
# Cliq user, so declare at most one of these per provider configuration.
resource "cliq_pin_folder_order" "main" {
  folder_ids = [
    cliq_pin_folder.releases.id,
    cliq_pin_folder.oncall.id,
    cliq_pin_folder.team.id,
  ]
}
