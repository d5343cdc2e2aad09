import {
  to = cliq_pin_folder_order.example
  id = "folders"
}
