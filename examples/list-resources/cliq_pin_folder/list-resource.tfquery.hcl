# Terraform 1.14 and later: `terraform query` lists every chat folder of the
# account (My Pins is not a folder and is not listed). Add
# -generate-config-out=generated.tf to write resource and import blocks.
list "cliq_pin_folder" "all" {
  provider = cliq
}
