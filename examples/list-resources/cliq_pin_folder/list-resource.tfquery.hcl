# Discover every chat folder of the account (Terraform 1.14+):
#   terraform query -generate-config-out=folders.tf
# writes an import block and a cliq_pin_folder resource for each one.
list "cliq_pin_folder" "all" {
  provider         = cliq
  include_resource = true
}
