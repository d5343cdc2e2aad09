# A chat folder is imported by its category id.
terraform import cliq_pin_folder.archive 4000000020001
