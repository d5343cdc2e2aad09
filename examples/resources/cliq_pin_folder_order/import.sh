# The folder order is a singleton; its id is always "folders".
terraform import cliq_pin_folder_order.main folders
