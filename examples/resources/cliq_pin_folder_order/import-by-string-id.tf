# The folder order is one per account; its import id is always "folders".
import {
  to = cliq_pin_folder_order.main
  id = "folders"
}
